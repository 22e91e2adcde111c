CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE TABLE `user_territories` (
	`user_id` integer NOT NULL,
	`territory_code` text NOT NULL,
	PRIMARY KEY(`user_id`, `territory_code`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`territory_code`) REFERENCES `territories`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `user_territories_territory_idx` ON `user_territories` (`territory_code`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`password_hash` text,
	`role` text DEFAULT 'family' NOT NULL,
	`locale` text DEFAULT 'fr' NOT NULL,
	`email_verified_at` text,
	`deactivated_at` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE TABLE `offers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'draft' NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`description` text NOT NULL,
	`territory_code` text NOT NULL,
	`commune_code` text NOT NULL,
	`address` text,
	`lat` real NOT NULL,
	`lng` real NOT NULL,
	`price` integer,
	`transaction` text,
	`home_type` text,
	`surface` integer,
	`land_area` integer,
	`rooms` integer,
	`bedrooms` integer,
	`energy_class` text,
	`available_from` text,
	`typology` text,
	`desks` integer,
	`meeting_rooms` integer,
	`price_day` integer,
	`opening_hours` text,
	`services` text,
	`wheelchair_accessible` integer,
	`website` text,
	`best_technology` text,
	`download_mbps` integer,
	`upload_mbps` integer,
	`fibre_status` text DEFAULT 'none' NOT NULL,
	`fibre_planned_at` text,
	`mobile_coverage` text DEFAULT 'none' NOT NULL,
	`connectivity_source` text DEFAULT 'owner' NOT NULL,
	`connectivity_checked_at` text,
	`published_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`territory_code`) REFERENCES `territories`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offers_listing_idx` ON `offers` (`status`,`kind`,`published_at`);--> statement-breakpoint
CREATE INDEX `offers_territory_idx` ON `offers` (`status`,`territory_code`,`published_at`);--> statement-breakpoint
CREATE INDEX `offers_fibre_idx` ON `offers` (`status`,`fibre_status`,`published_at`);--> statement-breakpoint
CREATE INDEX `offers_commune_idx` ON `offers` (`commune_code`);--> statement-breakpoint
CREATE INDEX `offers_download_idx` ON `offers` (`status`,`download_mbps`);--> statement-breakpoint
CREATE INDEX `offers_price_idx` ON `offers` (`status`,`price`);--> statement-breakpoint
CREATE TABLE `communes` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`search_name` text NOT NULL,
	`department_code` text NOT NULL,
	`region_code` text NOT NULL,
	`postal_codes` text NOT NULL,
	`population` integer,
	`lat` real,
	`lng` real,
	FOREIGN KEY (`department_code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`region_code`) REFERENCES `regions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `communes_department_idx` ON `communes` (`department_code`);--> statement-breakpoint
CREATE INDEX `communes_search_name_idx` ON `communes` (`search_name`);--> statement-breakpoint
CREATE TABLE `departments` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`region_code` text NOT NULL,
	FOREIGN KEY (`region_code`) REFERENCES `regions`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `departments_region_idx` ON `departments` (`region_code`);--> statement-breakpoint
CREATE TABLE `regions` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `territories` (
	`code` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`accent_color` text DEFAULT '#1f5f4a' NOT NULL,
	`created_at` text NOT NULL,
	FOREIGN KEY (`code`) REFERENCES `departments`(`code`) ON UPDATE no action ON DELETE no action
);
