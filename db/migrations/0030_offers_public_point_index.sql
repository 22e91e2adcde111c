DROP INDEX `offers_lat_idx`;--> statement-breakpoint
CREATE INDEX `offers_public_point_idx` ON `offers` (`status`,`public_lat`,`public_lng`);