-- Territory pages show a territory's newest jobs and businesses (issue 16): their changes
-- bump the 'catalogue' version that keys the page cache, as offers' do (0005).
CREATE TRIGGER `opportunities_catalogue_version_insert` AFTER INSERT ON `opportunities` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `opportunities_catalogue_version_update` AFTER UPDATE ON `opportunities` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
--> statement-breakpoint
CREATE TRIGGER `opportunities_catalogue_version_delete` AFTER DELETE ON `opportunities` BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'catalogue';
END;
