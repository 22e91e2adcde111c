-- The territory page shows the département's ARCEP figures: their changes bump the
-- 'catalogue' version that keys the page cache, as coverage per commune does (0005).
CREATE TRIGGER `department_coverage_catalogue_version_insert` AFTER INSERT ON `department_coverage` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `department_coverage_catalogue_version_update` AFTER UPDATE ON `department_coverage` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `department_coverage_catalogue_version_delete` AFTER DELETE ON `department_coverage` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
