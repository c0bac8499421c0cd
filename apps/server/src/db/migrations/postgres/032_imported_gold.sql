-- Gold answers imported with the project: see ../032_imported_gold.sql.
ALTER TABLE gold_items ALTER COLUMN marked_by DROP NOT NULL;
