-- The catalogue version keys the public pages' cache and the search index's text matches
-- (decision 003, 019): an offer that visitors cannot see — a draft, a proposal waiting for
-- moderation, never published — no longer bumps it. Visitors see a published offer, and an
-- offer published once and no longer (its 410 page: status not published, published_at set).
-- Custom migration: triggers.
DROP TRIGGER `offers_catalogue_version_insert`;
--> statement-breakpoint
CREATE TRIGGER `offers_catalogue_version_insert` AFTER INSERT ON `offers`
WHEN new.status = 'published' OR new.published_at IS NOT NULL BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
DROP TRIGGER `offers_catalogue_version_update`;
--> statement-breakpoint
CREATE TRIGGER `offers_catalogue_version_update` AFTER UPDATE ON `offers`
WHEN old.status = 'published' OR old.published_at IS NOT NULL OR new.status = 'published' OR new.published_at IS NOT NULL BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
DROP TRIGGER `offers_catalogue_version_delete`;
--> statement-breakpoint
CREATE TRIGGER `offers_catalogue_version_delete` AFTER DELETE ON `offers`
WHEN old.status = 'published' OR old.published_at IS NOT NULL BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
DROP TRIGGER `offer_photos_catalogue_version_insert`;
--> statement-breakpoint
CREATE TRIGGER `offer_photos_catalogue_version_insert` AFTER INSERT ON `offer_photos`
WHEN EXISTS (SELECT 1 FROM `offers` WHERE `offers`.`id` = new.offer_id AND `offers`.`status` = 'published') BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
DROP TRIGGER `offer_photos_catalogue_version_update`;
--> statement-breakpoint
CREATE TRIGGER `offer_photos_catalogue_version_update` AFTER UPDATE ON `offer_photos`
WHEN EXISTS (SELECT 1 FROM `offers` WHERE `offers`.`id` IN (old.offer_id, new.offer_id) AND `offers`.`status` = 'published') BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
DROP TRIGGER `offer_photos_catalogue_version_delete`;
--> statement-breakpoint
CREATE TRIGGER `offer_photos_catalogue_version_delete` AFTER DELETE ON `offer_photos`
WHEN EXISTS (SELECT 1 FROM `offers` WHERE `offers`.`id` = old.offer_id AND `offers`.`status` = 'published') BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
