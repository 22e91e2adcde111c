-- Every change to an offer is logged in order, so that each process's in-memory search
-- index reloads only the offers that changed (src/server/offers/catalogue-index.ts).
-- Custom migration: triggers.
CREATE TRIGGER `offers_change_log_insert` AFTER INSERT ON `offers` BEGIN
  INSERT INTO `catalogue_changes` (offer_id) VALUES (new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `offers_change_log_update` AFTER UPDATE ON `offers` BEGIN
  INSERT INTO `catalogue_changes` (offer_id) VALUES (new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `offers_change_log_delete` AFTER DELETE ON `offers` BEGIN
  INSERT INTO `catalogue_changes` (offer_id) VALUES (old.id);
END;
