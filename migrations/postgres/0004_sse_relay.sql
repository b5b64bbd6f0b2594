CREATE TABLE "sse_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"stream_id" text NOT NULL,
	"body" text NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sse_streams" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"node_id" text NOT NULL,
	"session" text,
	"seen_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sse_messages_stream_id_idx" ON "sse_messages" USING btree ("stream_id");