-- Full-text search over offers (title, description, commune name), accent-insensitive.
-- drizzle-kit cannot describe FTS5 tables, hence this custom migration; triggers keep it
-- in step with `offers` and with commune renames.
CREATE VIRTUAL TABLE `offers_fts` USING fts5(title, description, commune, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `offers_fts` (rowid, title, description, commune)
  SELECT o.id, o.title, o.description, c.name FROM `offers` o JOIN `communes` c ON c.code = o.commune_code;
--> statement-breakpoint
CREATE TRIGGER `offers_fts_insert` AFTER INSERT ON `offers` BEGIN
  INSERT INTO `offers_fts` (rowid, title, description, commune)
    VALUES (new.id, new.title, new.description, (SELECT name FROM `communes` WHERE code = new.commune_code));
END;
--> statement-breakpoint
CREATE TRIGGER `offers_fts_update` AFTER UPDATE OF title, description, commune_code ON `offers` BEGIN
  DELETE FROM `offers_fts` WHERE rowid = old.id;
  INSERT INTO `offers_fts` (rowid, title, description, commune)
    VALUES (new.id, new.title, new.description, (SELECT name FROM `communes` WHERE code = new.commune_code));
END;
--> statement-breakpoint
CREATE TRIGGER `offers_fts_delete` AFTER DELETE ON `offers` BEGIN
  DELETE FROM `offers_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `offers_fts_commune_rename` AFTER UPDATE OF name ON `communes` WHEN old.name <> new.name BEGIN
  UPDATE `offers_fts` SET commune = new.name WHERE rowid IN (SELECT id FROM `offers` WHERE commune_code = new.code);
END;
