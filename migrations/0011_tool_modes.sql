ALTER TABLE `access_keys` ADD `tool_mode` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `tool_mode` text;--> statement-breakpoint
ALTER TABLE `workspaces` ADD `response_budget` integer;