ALTER TABLE `access_keys` ADD `schema_profile` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `schema_profile` text;