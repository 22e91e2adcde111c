DROP INDEX `candidates_territory_stage_idx`;--> statement-breakpoint
CREATE INDEX `candidates_territory_stage_idx` ON `candidates` (`territory_code`,`stage`,`stage_entered_at`,`merged_into_id`,`withdrawal_reason`);--> statement-breakpoint
CREATE INDEX `stay_stats_cover_idx` ON `stay_stats` (`territory_code`,`month`,`stage`,`days`,`stays`);--> statement-breakpoint
CREATE INDEX `stay_stats_month_cover_idx` ON `stay_stats` (`month`,`stage`,`days`,`stays`);