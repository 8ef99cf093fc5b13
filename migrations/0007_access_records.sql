CREATE TABLE "access_records" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "access_records_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone NOT NULL,
	"user_id" integer NOT NULL,
	"role" text NOT NULL,
	"case_id" bigint NOT NULL,
	"route" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "access_records_case_idx" ON "access_records" USING btree ("case_id","id");--> statement-breakpoint
CREATE INDEX "access_records_user_idx" ON "access_records" USING btree ("user_id","id");