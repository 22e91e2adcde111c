ALTER TABLE `candidates` ADD `partner_wish` text;--> statement-breakpoint
ALTER TABLE `candidates` ADD `partner_sought` text;--> statement-breakpoint
ALTER TABLE `candidates` ADD `maturity_score` integer;--> statement-breakpoint
ALTER TABLE `candidates` ADD `maturity_override` integer;--> statement-breakpoint
ALTER TABLE `candidates` ADD `maturity_reason` text;