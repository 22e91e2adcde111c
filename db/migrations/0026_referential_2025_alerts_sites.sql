CREATE TABLE `fibre_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`user_id` integer,
	`commune_code` text NOT NULL,
	`threshold` text NOT NULL,
	`locale` text NOT NULL,
	`token` text NOT NULL,
	`confirmed_at` text,
	`notified_at` text,
	`notified_share` real,
	`created_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `fibre_alerts_token_unique` ON `fibre_alerts` (`token`);--> statement-breakpoint
CREATE UNIQUE INDEX `fibre_alerts_email_commune_idx` ON `fibre_alerts` (`email`,`commune_code`);--> statement-breakpoint
CREATE INDEX `fibre_alerts_commune_idx` ON `fibre_alerts` (`commune_code`);--> statement-breakpoint
CREATE TABLE `commune_aliases` (
	`code` text PRIMARY KEY NOT NULL,
	`commune_code` text NOT NULL,
	`name` text NOT NULL,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `commune_aliases_commune_idx` ON `commune_aliases` (`commune_code`);--> statement-breakpoint
CREATE TABLE `department_coverage` (
	`department_code` text NOT NULL,
	`data_date` text NOT NULL,
	`premises` integer,
	`ftth_share` real,
	`thd_share` real,
	`source` text NOT NULL,
	`imported_at` text NOT NULL,
	PRIMARY KEY(`department_code`, `data_date`),
	FOREIGN KEY (`department_code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `mobile_sites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`operator` text NOT NULL,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`has_4g` integer NOT NULL,
	`department_code` text NOT NULL,
	`data_date` text NOT NULL,
	FOREIGN KEY (`department_code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `mobile_sites_position_idx` ON `mobile_sites` (`lat`,`lng`);