ALTER TABLE "specs" ADD COLUMN "description" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "icon_url" text;