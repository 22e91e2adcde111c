CREATE TABLE `stay_totals` (
	`month` text NOT NULL,
	`stage` text NOT NULL,
	`days` real NOT NULL,
	`stays` integer NOT NULL,
	PRIMARY KEY(`month`, `stage`, `days`)
);
--> statement-breakpoint
CREATE INDEX `stay_totals_cover_idx` ON `stay_totals` (`month`,`stage`,`days`,`stays`);--> statement-breakpoint
DROP INDEX `stay_stats_month_cover_idx`;