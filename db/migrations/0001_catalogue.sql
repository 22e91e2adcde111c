CREATE TABLE `offer_photos` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`offer_id` integer NOT NULL,
	`storage_key` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`alt` text NOT NULL,
	`position` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `offer_photos_offer_idx` ON `offer_photos` (`offer_id`,`position`);--> statement-breakpoint
CREATE TABLE `commune_coverage` (
	`commune_code` text PRIMARY KEY NOT NULL,
	`premises` integer,
	`ftth_premises` integer,
	`ftth_share` real,
	`thd_share` real,
	`data_date` text NOT NULL,
	`source` text NOT NULL,
	`imported_at` text NOT NULL,
	FOREIGN KEY (`commune_code`) REFERENCES `communes`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `offers` ADD `nearest_fibre_tiers_lieu_km` real;--> statement-breakpoint
CREATE INDEX `offers_lat_idx` ON `offers` (`status`,`lat`);--> statement-breakpoint
CREATE INDEX `offers_nearest_tl_idx` ON `offers` (`status`,`nearest_fibre_tiers_lieu_km`);