-- The import computes each item's top-1 mistake mask (items.top1_mistake_models) itself, from the predictions and
-- accepted labels it writes just before the item, and inserts it with the item: the row trigger that computed it
-- from the rows of those tables (a PL/pgSQL call and a look-up per item) now fires only for an item inserted without
-- one (0, the column's default), whose mask it computes as before. The WHEN is checked without calling the function.
-- A mask of 0 given by the import is computed again, to the same 0.
DROP TRIGGER items_top1_mistake_models ON items;

CREATE TRIGGER items_top1_mistake_models BEFORE INSERT ON items
  FOR EACH ROW WHEN (NEW.top1_mistake_models = 0) EXECUTE FUNCTION items_top1_mistake_models();
