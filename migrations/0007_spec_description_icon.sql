ALTER TABLE `specs` ADD `description` text;--> statement-breakpoint
ALTER TABLE `specs` ADD `icon_url` text;