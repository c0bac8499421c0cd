-- An expert may hold two claims (the item being judged and the one claimed ahead, so it loads at once). A reload
-- must return the first, so claims remember when they were taken; refreshing a claim moves only its expiry.
ALTER TABLE claims ADD COLUMN claimed_at INTEGER NOT NULL DEFAULT 0; -- unix ms
