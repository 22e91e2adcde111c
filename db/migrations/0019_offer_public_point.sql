ALTER TABLE `offers` ADD `public_lat` real;--> statement-breakpoint
ALTER TABLE `offers` ADD `public_lng` real;--> statement-breakpoint
ALTER TABLE `offers` ADD `location_precision` text DEFAULT 'approximate' NOT NULL;