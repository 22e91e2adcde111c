DROP INDEX `offers_commune_idx`;--> statement-breakpoint
CREATE INDEX `offers_recent_idx` ON `offers` (`status`,`published_at`);--> statement-breakpoint
CREATE INDEX `offers_commune_status_idx` ON `offers` (`status`,`commune_code`);--> statement-breakpoint
CREATE INDEX `offers_transaction_idx` ON `offers` (`status`,`transaction`);--> statement-breakpoint
CREATE INDEX `offers_upload_idx` ON `offers` (`status`,`upload_mbps`);--> statement-breakpoint
CREATE INDEX `offers_technology_idx` ON `offers` (`status`,`best_technology`);--> statement-breakpoint
CREATE INDEX `offers_mobile_idx` ON `offers` (`status`,`mobile_coverage`);--> statement-breakpoint
CREATE INDEX `offers_surface_idx` ON `offers` (`status`,`surface`);--> statement-breakpoint
CREATE INDEX `offers_rooms_idx` ON `offers` (`status`,`rooms`);