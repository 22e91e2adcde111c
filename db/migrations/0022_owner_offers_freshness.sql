ALTER TABLE `offer_events` ADD `note` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `confirmed_at` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `owner_id` integer REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `offers` ADD `moderation` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `proposed_changes` text;--> statement-breakpoint
ALTER TABLE `offers` ADD `owner_reminded_at` text;--> statement-breakpoint
CREATE INDEX `offers_confirmed_idx` ON `offers` (`status`,`confirmed_at`);--> statement-breakpoint
CREATE INDEX `offers_owner_idx` ON `offers` (`owner_id`);--> statement-breakpoint
CREATE INDEX `offers_moderation_idx` ON `offers` (`moderation`,`territory_code`);