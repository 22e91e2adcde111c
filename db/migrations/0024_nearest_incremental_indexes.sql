CREATE INDEX `offers_fibre_tl_idx` ON `offers` (`kind`,`status`,`fibre_status`,`lat`,`lng`);--> statement-breakpoint
CREATE INDEX `offers_kind_lat_idx` ON `offers` (`kind`,`lat`,`lng`,`nearest_fibre_tiers_lieu_km`);--> statement-breakpoint
CREATE INDEX `offers_home_nearest_idx` ON `offers` (`kind`,`nearest_fibre_tiers_lieu_km`);