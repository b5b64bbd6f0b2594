ALTER TABLE "access_keys" ADD COLUMN "schema_profile" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "schema_profile" text;