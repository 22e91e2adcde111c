ALTER TABLE `territories` ADD `presentation_fr` text;--> statement-breakpoint
ALTER TABLE `territories` ADD `presentation_en` text;--> statement-breakpoint
ALTER TABLE `territories` ADD `contact_email` text;--> statement-breakpoint
ALTER TABLE `territories` ADD `contact_phone` text;--> statement-breakpoint
ALTER TABLE `territories` ADD `retention_months` integer DEFAULT 24 NOT NULL;--> statement-breakpoint
ALTER TABLE `territories` ADD `first_answer_hours` integer DEFAULT 48 NOT NULL;--> statement-breakpoint
ALTER TABLE `territories` ADD `accepts_owner_offers` integer DEFAULT false NOT NULL;