ALTER TABLE `credentials` ADD `origin` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `allowed_origins` text;