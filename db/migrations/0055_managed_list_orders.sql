CREATE INDEX `offers_updated_idx` ON `offers` (`updated_at`);--> statement-breakpoint
CREATE INDEX `offers_title_idx` ON `offers` (`title`);--> statement-breakpoint
CREATE INDEX `offers_confirmed_at_idx` ON `offers` (`confirmed_at`);