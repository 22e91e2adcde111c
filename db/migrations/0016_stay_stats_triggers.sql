-- Custom migration: `stay_stats` counts closed stays by territory, month ended, stage and
-- length, for reports. Filled once from the history, then kept by triggers on every
-- change of `stage_history` (the app never writes it).
INSERT INTO `stay_stats` (`territory_code`, `month`, `stage`, `days`, `stays`)
SELECT `territory_code`, substr(`left_at`, 1, 7), `stage`, `days`, count(*) FROM `stage_history`
WHERE `left_at` IS NOT NULL AND `territory_code` IS NOT NULL AND `days` IS NOT NULL
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
CREATE TRIGGER `stay_stats_insert` AFTER INSERT ON `stage_history`
WHEN NEW.`left_at` IS NOT NULL AND NEW.`territory_code` IS NOT NULL AND NEW.`days` IS NOT NULL
BEGIN
  INSERT INTO `stay_stats` (`territory_code`, `month`, `stage`, `days`, `stays`) VALUES (NEW.`territory_code`, substr(NEW.`left_at`, 1, 7), NEW.`stage`, NEW.`days`, 1)
  ON CONFLICT (`territory_code`, `month`, `stage`, `days`) DO UPDATE SET `stays` = `stays` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `stay_stats_update` AFTER UPDATE OF `left_at`, `days`, `territory_code`, `stage` ON `stage_history`
BEGIN
  UPDATE `stay_stats` SET `stays` = `stays` - 1
  WHERE OLD.`left_at` IS NOT NULL AND OLD.`territory_code` IS NOT NULL AND OLD.`days` IS NOT NULL
    AND `territory_code` = OLD.`territory_code` AND `month` = substr(OLD.`left_at`, 1, 7) AND `stage` = OLD.`stage` AND `days` = OLD.`days`;
  INSERT INTO `stay_stats` (`territory_code`, `month`, `stage`, `days`, `stays`)
  SELECT NEW.`territory_code`, substr(NEW.`left_at`, 1, 7), NEW.`stage`, NEW.`days`, 1
  WHERE NEW.`left_at` IS NOT NULL AND NEW.`territory_code` IS NOT NULL AND NEW.`days` IS NOT NULL
  ON CONFLICT (`territory_code`, `month`, `stage`, `days`) DO UPDATE SET `stays` = `stays` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `stay_stats_delete` AFTER DELETE ON `stage_history`
WHEN OLD.`left_at` IS NOT NULL AND OLD.`territory_code` IS NOT NULL AND OLD.`days` IS NOT NULL
BEGIN
  UPDATE `stay_stats` SET `stays` = `stays` - 1
  WHERE `territory_code` = OLD.`territory_code` AND `month` = substr(OLD.`left_at`, 1, 7) AND `stage` = OLD.`stage` AND `days` = OLD.`days`;
END;
--> statement-breakpoint
UPDATE `candidates` SET `response_hours` = round((julianday(`first_response_at`) - julianday(`created_at`)) * 24 * 10) / 10.0 WHERE `first_response_at` IS NOT NULL;
