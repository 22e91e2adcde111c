-- Full-text search over jobs and businesses (title, employer, commune name) for the back
-- office's lists, accent-insensitive as `offers_fts` (migration 0002, whose form this
-- follows): drizzle-kit cannot describe FTS5 tables; triggers keep it in step with
-- `opportunities` and with commune renames. `joined` holds the title and employer once more
-- with inclusive writing's middle dot removed, so that "boulangère" finds "Boulanger·ère"
-- (the index splits words at the dot).
CREATE VIRTUAL TABLE `opportunities_fts` USING fts5(title, employer, commune, joined, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
INSERT INTO `opportunities_fts` (rowid, title, employer, commune, joined)
  SELECT o.id, o.title, o.employer, c.name, replace(o.title || ' ' || coalesce(o.employer, ''), '·', '')
  FROM `opportunities` o JOIN `communes` c ON c.code = o.commune_code;
--> statement-breakpoint
CREATE TRIGGER `opportunities_fts_insert` AFTER INSERT ON `opportunities` BEGIN
  INSERT INTO `opportunities_fts` (rowid, title, employer, commune, joined)
    VALUES (new.id, new.title, new.employer, (SELECT name FROM `communes` WHERE code = new.commune_code),
      replace(new.title || ' ' || coalesce(new.employer, ''), '·', ''));
END;
--> statement-breakpoint
CREATE TRIGGER `opportunities_fts_update` AFTER UPDATE OF title, employer, commune_code ON `opportunities` BEGIN
  DELETE FROM `opportunities_fts` WHERE rowid = old.id;
  INSERT INTO `opportunities_fts` (rowid, title, employer, commune, joined)
    VALUES (new.id, new.title, new.employer, (SELECT name FROM `communes` WHERE code = new.commune_code),
      replace(new.title || ' ' || coalesce(new.employer, ''), '·', ''));
END;
--> statement-breakpoint
CREATE TRIGGER `opportunities_fts_delete` AFTER DELETE ON `opportunities` BEGIN
  DELETE FROM `opportunities_fts` WHERE rowid = old.id;
END;
--> statement-breakpoint
CREATE TRIGGER `opportunities_fts_commune_rename` AFTER UPDATE OF name ON `communes` WHEN old.name <> new.name BEGIN
  UPDATE `opportunities_fts` SET commune = new.name
    WHERE rowid IN (SELECT id FROM `opportunities` WHERE commune_code = new.code);
END;
