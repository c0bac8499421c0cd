-- What an import writes by the million costs less to write: every row an import inserts is checked row by row, by a
-- query per foreign key and a call per row trigger (see ../020_import_bulk_load.sql for both engines' reasons).
--
-- 1. The import computes each item's top-1 mistake mask itself and inserts it with the item: the row trigger that
--    computed it (a PL/pgSQL call and a look-up per item) now fires only for an item inserted without one (0, the
--    column's default), whose mask it computes as before. The WHEN is checked without calling the function.
--
-- 2. predictions.model_id no longer references models(id): its check, a query per prediction against the few models
--    of a project, was a quarter to a third of what an import of 50,000 images with five models' top-5 cost the
--    server, and its ON DELETE CASCADE walked the whole predictions table for each model deleted. A project's
--    predictions go with its images (image_id's foreign key); models are deleted only with their project.
DROP TRIGGER items_top1_mistake_models ON items;

CREATE TRIGGER items_top1_mistake_models BEFORE INSERT ON items
  FOR EACH ROW WHEN (NEW.top1_mistake_models = 0) EXECUTE FUNCTION items_top1_mistake_models();

ALTER TABLE predictions DROP CONSTRAINT predictions_model_id_fkey;
