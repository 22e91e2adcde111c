-- The 'settlements' version moves with every change to what the public figures of settled
-- families read (`settledFiles` in src/server/reports/impact.ts): /impact and the home page
-- compute them again as soon as it moved, in every process, not only every five minutes.
-- Custom migration: triggers.
INSERT INTO `data_versions` (name, version) VALUES ('settlements', 1) ON CONFLICT DO NOTHING;
--> statement-breakpoint
CREATE TRIGGER `candidates_settlements_version_insert` AFTER INSERT ON `candidates`
WHEN new.first_settled_at IS NOT NULL BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'settlements';
END;
--> statement-breakpoint
CREATE TRIGGER `candidates_settlements_version_update` AFTER UPDATE ON `candidates`
WHEN (old.first_settled_at IS NOT NULL OR new.first_settled_at IS NOT NULL) AND (
  old.first_settled_at IS NOT new.first_settled_at
  OR old.territory_code IS NOT new.territory_code
  OR old.merged_into_id IS NOT new.merged_into_id
  OR old.settled_household_size IS NOT new.settled_household_size
  OR old.settled_commune_code IS NOT new.settled_commune_code
  OR old.household IS NOT new.household
) BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'settlements';
END;
--> statement-breakpoint
CREATE TRIGGER `candidates_settlements_version_delete` AFTER DELETE ON `candidates`
WHEN old.first_settled_at IS NOT NULL BEGIN
  UPDATE `data_versions` SET version = version + 1 WHERE name = 'settlements';
END;
