ALTER TABLE "access_keys" ADD COLUMN "tool_mode" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "tool_mode" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "response_budget" integer;