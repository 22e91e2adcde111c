-- Custom migration: `stay_totals` is `stay_stats` summed over the territories, for the
-- report of every territory. Filled once, then kept by triggers on `stay_stats` (itself
-- kept by triggers on `stage_history`; the app writes neither).
INSERT INTO `stay_totals` (`month`, `stage`, `days`, `stays`)
SELECT `month`, `stage`, `days`, sum(`stays`) FROM `stay_stats` GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TRIGGER `stay_totals_insert` AFTER INSERT ON `stay_stats`
BEGIN
  INSERT INTO `stay_totals` (`month`, `stage`, `days`, `stays`) VALUES (NEW.`month`, NEW.`stage`, NEW.`days`, NEW.`stays`)
  ON CONFLICT (`month`, `stage`, `days`) DO UPDATE SET `stays` = `stays` + excluded.`stays`;
END;
--> statement-breakpoint
CREATE TRIGGER `stay_totals_update` AFTER UPDATE ON `stay_stats`
BEGIN
  UPDATE `stay_totals` SET `stays` = `stays` - OLD.`stays`
  WHERE `month` = OLD.`month` AND `stage` = OLD.`stage` AND `days` = OLD.`days`;
  INSERT INTO `stay_totals` (`month`, `stage`, `days`, `stays`) VALUES (NEW.`month`, NEW.`stage`, NEW.`days`, NEW.`stays`)
  ON CONFLICT (`month`, `stage`, `days`) DO UPDATE SET `stays` = `stays` + excluded.`stays`;
END;
--> statement-breakpoint
CREATE TRIGGER `stay_totals_delete` AFTER DELETE ON `stay_stats`
BEGIN
  UPDATE `stay_totals` SET `stays` = `stays` - OLD.`stays`
  WHERE `month` = OLD.`month` AND `stage` = OLD.`stage` AND `days` = OLD.`days`;
END;
