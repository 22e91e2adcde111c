-- Any change to what public catalogue pages show bumps the 'catalogue' version, which
-- keys the page cache (src/server/cache/page-cache.ts). Custom migration: triggers.
INSERT INTO `data_versions` (name, version) VALUES ('catalogue', 1) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER `offers_catalogue_version_insert` AFTER INSERT ON `offers` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `offers_catalogue_version_update` AFTER UPDATE ON `offers` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `offers_catalogue_version_delete` AFTER DELETE ON `offers` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `offer_photos_catalogue_version_insert` AFTER INSERT ON `offer_photos` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `offer_photos_catalogue_version_update` AFTER UPDATE ON `offer_photos` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `offer_photos_catalogue_version_delete` AFTER DELETE ON `offer_photos` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `territories_catalogue_version_insert` AFTER INSERT ON `territories` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `territories_catalogue_version_update` AFTER UPDATE ON `territories` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `territories_catalogue_version_delete` AFTER DELETE ON `territories` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `communes_catalogue_version_insert` AFTER INSERT ON `communes` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `communes_catalogue_version_update` AFTER UPDATE ON `communes` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `communes_catalogue_version_delete` AFTER DELETE ON `communes` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `commune_coverage_catalogue_version_insert` AFTER INSERT ON `commune_coverage` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `commune_coverage_catalogue_version_update` AFTER UPDATE ON `commune_coverage` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `commune_coverage_catalogue_version_delete` AFTER DELETE ON `commune_coverage` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
