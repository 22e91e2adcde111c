CREATE INDEX `communes_point_idx` ON `communes` (`lat`,`lng`);--> statement-breakpoint
CREATE INDEX `opportunities_list_idx` ON `opportunities` (`territory_code`,`kind`,`updated_at`,`id`);