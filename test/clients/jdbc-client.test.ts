/**
 * The PostgreSQL JDBC driver beyond browsing (test/clients/JdbcClient.java): DatabaseMetaData
 * getPrimaryKeys, getTypeInfo, getIndexInfo, getExportedKeys/getImportedKeys, getTablePrivileges, getFunctions,
 * getProcedures
 * and the columns of a view; a PreparedStatement run ten times, past the driver's prepareThreshold
 * of 5, so that it becomes a named server statement with binary parameters and results (int,
 * bigint, numeric keeping its scale, date, timestamp, text, int[], text[] and float8[] with NULL
 * and quoted elements), and one with TIME parameters and results; parameters the driver leaves
 * untyped, inferred by the server; setFetchSize streaming a result of many batches with autocommit
 * off (Execute with a row limit, PortalSuspended); ResultSetMetaData from the table OIDs and column
 * numbers of RowDescription; and the statements DBeaver and Metabase send, replayed.
 * Expectations are what the driver reports against PostgreSQL for such tables.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from '../e2e/engine-server.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const JDBC_JAR = '/usr/share/java/postgresql.jar';

let fixture: EngineServer | undefined;

beforeAll(async () => {
  fixture = await startEngineServer('jdbc', {
    setup: async (s) => {
      await s.sql(
        "CREATE TABLE nation (n_nationkey INT NOT NULL, n_name VARCHAR(25), n_regionkey INT, n_gdp DECIMAL(15,2), n_founded DATE) USING parquet COMMENT 'nations'",
      );
      await s.sql(
        "INSERT INTO nation VALUES (0, 'ALGERIA', 0, 100.50, DATE'1962-07-05'), (1, 'ARGENTINA', 1, 200.25, DATE'1816-07-09'), (2, 'BRAZIL', 1, 300.00, DATE'1822-09-07'), (3, 'CANADA', 1, NULL, DATE'1867-07-01')",
      );
      await s.sql('CREATE VIEW big AS SELECT n_name, n_gdp FROM nation WHERE n_gdp > 100');
    },
  });
});

afterAll(async () => {
  await fixture?.close();
});

/**
 * DBeaver's and Metabase's statements as they send them through pgjdbc (their parameters written
 * in), then DBeaver's read of a schema's functions for public and for pg_catalog.
 */
const REPLAY = [
  'SET extra_float_digits = 3;',
  "SET application_name = 'DBeaver 24.0.0 - Main <tpch>';",
  'SELECT current_database();',
  "SELECT db.oid,db.* FROM pg_catalog.pg_database db WHERE 1 = 1 AND datallowconn AND NOT datistemplate OR db.datname ='tpch'\nORDER BY db.datname;",
  'SELECT version();',
  "SELECT reset_val FROM pg_catalog.pg_settings WHERE name = 'search_path';",
  "select * from pg_catalog.pg_settings where name='standard_conforming_strings';",
  'SELECT current_schema(),session_user;',
  'SHOW search_path;',
  'SET search_path = "$user",public;',
  "select string_agg(word, ',') from pg_catalog.pg_get_keywords();",
  "SELECT n.oid,n.*,d.description FROM pg_catalog.pg_namespace n\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=n.oid AND d.objsubid=0 AND d.classoid='pg_namespace'::regclass\n WHERE nspname='public'\nORDER BY nspname;",
  'SELECT * FROM pg_catalog.pg_enum WHERE 1<>1 LIMIT 1;',
  'SELECT reltype FROM pg_catalog.pg_class WHERE 1<>1 LIMIT 1;',
  "SELECT t.oid,t.*,c.relkind,format_type(nullif(t.typbasetype, 0), t.typtypmod) as base_type_name, d.description\nFROM pg_catalog.pg_type t\nLEFT OUTER JOIN pg_catalog.pg_type et ON et.oid=t.typelem\nLEFT OUTER JOIN pg_catalog.pg_class c ON c.oid=t.typrelid\nLEFT OUTER JOIN pg_catalog.pg_description d ON t.oid=d.objoid\nWHERE t.typname IS NOT NULL\nAND (c.relkind IS NULL OR c.relkind = 'c') AND (et.typcategory IS NULL OR et.typcategory <> 'C');",
  "SELECT c.oid,c.*,d.description,pg_catalog.pg_get_expr(c.relpartbound, c.oid) as partition_expr,  pg_catalog.pg_get_partkeydef(c.oid) as partition_key \nFROM pg_catalog.pg_class c\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_class'::regclass\nWHERE c.relnamespace='2200' AND c.relkind not in ('i','I','c') AND c.relname='nation';",
  "select c.oid,pg_catalog.pg_total_relation_size(c.oid) as total_rel_size,pg_catalog.pg_relation_size(c.oid) as rel_size\nFROM pg_class c\nWHERE c.relnamespace='2200';",
  "SELECT c.relname,a.*,pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) as def_value,dsc.description,dep.objid\nFROM pg_catalog.pg_attribute a\nINNER JOIN pg_catalog.pg_class c ON (a.attrelid=c.oid)\nLEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid=ad.adrelid AND a.attnum = ad.adnum)\nLEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)\nLEFT OUTER JOIN pg_depend dep on dep.refobjid = a.attrelid AND dep.deptype = 'i' and dep.refobjsubid = a.attnum and dep.classid = dep.refclassid\nWHERE NOT a.attisdropped AND c.relkind not in ('i','I','c') AND c.oid='17706'\nORDER BY a.attnum;",
  "SELECT c.oid,c.*,t.relname as tabrelname,rt.relnamespace as refnamespace,d.description, case when c.contype='c' then \"substring\"(pg_get_constraintdef(c.oid), 7) else null end consrc_copy\nFROM pg_catalog.pg_constraint c\nINNER JOIN pg_catalog.pg_class t ON t.oid=c.conrelid\nLEFT OUTER JOIN pg_catalog.pg_class rt ON rt.oid=c.confrelid\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=c.oid AND d.objsubid=0 AND d.classoid='pg_constraint'::regclass\nWHERE t.relnamespace='2200' AND c.conrelid='17706'\nORDER BY c.oid;",
  "SELECT i.*,i.indkey as keys,c.relname,c.relnamespace,c.relam,c.reltablespace,tc.relname as tabrelname,dsc.description,pg_catalog.pg_get_expr(i.indpred, i.indrelid) as pred_expr,pg_catalog.pg_get_expr(i.indexprs, i.indrelid, true) as expr,pg_catalog.pg_relation_size(i.indexrelid) as index_rel_size,pg_catalog.pg_stat_get_numscans(i.indexrelid) as index_num_scans\nFROM pg_catalog.pg_index i\nINNER JOIN pg_catalog.pg_class c ON c.oid=i.indexrelid\nINNER JOIN pg_catalog.pg_class tc ON tc.oid=i.indrelid\nLEFT OUTER JOIN pg_catalog.pg_description dsc ON i.indexrelid=dsc.objoid\nWHERE  i.indrelid='17706'\n ORDER BY tc.relname, c.relname;",
  "SELECT pg_catalog.pg_get_viewdef('0'::oid, true);",
  'SELECT a.oid,a.* FROM pg_catalog.pg_roles a\nORDER BY a.rolname;',
  'SELECT am.oid,am.* FROM pg_catalog.pg_am am\nORDER BY am.oid;',
  'SELECT c.oid,c.* FROM pg_catalog.pg_collation c\nORDER BY c.oid;',
  'SELECT l.oid,l.* FROM pg_catalog.pg_language l\nORDER BY l.oid;',
  'SELECT t.oid,t.*,pg_tablespace_location(t.oid) loc\nFROM pg_catalog.pg_tablespace t\nORDER BY t.oid;',
  'SELECT e.oid,e.*,n.nspname as schema_name\nFROM pg_catalog.pg_extension e LEFT OUTER JOIN pg_catalog.pg_namespace n ON n.oid=e.extnamespace\nORDER BY e.oid;',
  'SELECT name,default_version,installed_version,comment FROM pg_catalog.pg_available_extensions ORDER BY name;',
  'SELECT t.oid,t.* FROM pg_catalog.pg_event_trigger t\nORDER BY t.oid;',
  "SELECT pg_catalog.pg_database_size('tpch');",
  'SELECT sa.* FROM pg_catalog.pg_stat_activity sa;',
  'SELECT * FROM public.nation\nLIMIT 200;',
  'SELECT COUNT(*) FROM public.nation;',
  "SELECT pg_catalog.obj_description('17706'::oid, 'pg_class');",
  "SET application_name = 'Metabase v0.50.0 [test-peer]';",
  'SELECT 1;',
  'show timezone;',
  "SELECT n.nspname AS schema, c.relname AS name, CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type, d.description AS description, stat.n_live_tup AS estimated_row_count FROM pg_catalog.pg_class AS c INNER JOIN pg_catalog.pg_namespace AS n ON c.relnamespace = n.oid LEFT JOIN pg_catalog.pg_description AS d ON (c.oid = d.objoid) AND (d.objsubid = 0) AND (d.classoid = 'pg_class'::regclass) LEFT JOIN pg_stat_user_tables AS stat ON (n.nspname = stat.schemaname) AND (c.relname = stat.relname) WHERE (c.relnamespace = n.oid) AND (n.nspname !~ '^pg_') AND (n.nspname <> 'information_schema') AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND (n.nspname IN ('public')) ORDER BY type ASC, schema ASC, name ASC;",
  "with table_privileges as (\n select\n   NULL as role,\n   t.schemaname as schema,\n   t.objectname as table,\n   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'update') as update,\n   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'select') as select,\n   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'insert') as insert,\n   pg_catalog.has_table_privilege(     current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'delete') as delete\n from (\n   select schemaname, tablename as objectname from pg_catalog.pg_tables\n   union\n   select schemaname, viewname as objectname from pg_catalog.pg_views\n   union\n   select schemaname, matviewname as objectname from pg_catalog.pg_matviews\n ) t\n where t.schemaname !~ '^pg_'\n   and t.schemaname <> 'information_schema'\n   and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')\n)\nselect t.*\nfrom table_privileges t;",
  'SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e);',
  'SELECT "c"."column_name" AS "name", CASE WHEN "c"."udt_schema" IN (\'public\', \'pg_catalog\') THEN FORMAT(\'%s\', "c"."udt_name") ELSE FORMAT(\'"%s"."%s"\', "c"."udt_schema", "c"."udt_name") END AS "database-type", "c"."ordinal_position" - 1 AS "database-position", "c"."table_schema" AS "table-schema", "c"."table_name" AS "table-name", "pk"."column_name" IS NOT NULL AS "pk?", COL_DESCRIPTION(CAST(CAST(FORMAT(\'%I.%I\', CAST("c"."table_schema" AS TEXT), CAST("c"."table_name" AS TEXT)) AS REGCLASS) AS OID), "c"."ordinal_position") AS "field-comment", (("column_default" IS NULL) OR (LOWER("column_default") = \'null\')) AND ("is_nullable" = \'NO\') AND NOT ((("column_default" IS NOT NULL) AND ("column_default" LIKE \'%nextval(%\')) OR ("is_identity" <> \'NO\')) AS "database-required", (("column_default" IS NOT NULL) AND ("column_default" LIKE \'%nextval(%\')) OR ("is_identity" <> \'NO\') AS "database-is-auto-increment" FROM "information_schema"."columns" AS "c" LEFT JOIN (SELECT "tc"."table_schema", "tc"."table_name", "kc"."column_name" FROM "information_schema"."table_constraints" AS "tc" INNER JOIN "information_schema"."key_column_usage" AS "kc" ON ("tc"."constraint_name" = "kc"."constraint_name") AND ("tc"."table_schema" = "kc"."table_schema") AND ("tc"."table_name" = "kc"."table_name") WHERE "tc"."constraint_type" = \'PRIMARY KEY\') AS "pk" ON ("c"."table_schema" = "pk"."table_schema") AND ("c"."table_name" = "pk"."table_name") AND ("c"."column_name" = "pk"."column_name") WHERE c.table_schema !~ \'^information_schema|catalog_history|pg_\' AND ("c"."table_schema" IN (\'public\')) AND ("c"."table_name" IN (\'nation\')) UNION ALL SELECT "pa"."attname" AS "name", CASE WHEN "ptn"."nspname" IN (\'public\', \'pg_catalog\') THEN FORMAT(\'%s\', "pt"."typname") ELSE FORMAT(\'"%s"."%s"\', "ptn"."nspname", "pt"."typname") END AS "database-type", "pa"."attnum" - 1 AS "database-position", "pn"."nspname" AS "table-schema", "pc"."relname" AS "table-name", FALSE AS "pk?", NULL AS "field-comment", FALSE AS "database-required", FALSE AS "database-is-auto-increment" FROM "pg_catalog"."pg_class" AS "pc" INNER JOIN "pg_catalog"."pg_namespace" AS "pn" ON "pn"."oid" = "pc"."relnamespace" INNER JOIN "pg_catalog"."pg_attribute" AS "pa" ON "pa"."attrelid" = "pc"."oid" INNER JOIN "pg_catalog"."pg_type" AS "pt" ON "pt"."oid" = "pa"."atttypid" INNER JOIN "pg_catalog"."pg_namespace" AS "ptn" ON "ptn"."oid" = "pt"."typnamespace" WHERE ("pc"."relkind" = \'m\') AND ("pa"."attnum" >= 1) AND ("pn"."nspname" IN (\'public\')) AND ("pc"."relname" IN (\'nation\')) ORDER BY "table-schema" ASC, "table-name" ASC, "database-position" ASC;',
  'SELECT "fk_ns"."nspname" AS "fk-table-schema", "fk_table"."relname" AS "fk-table-name", "fk_column"."attname" AS "fk-column-name", "pk_ns"."nspname" AS "pk-table-schema", "pk_table"."relname" AS "pk-table-name", "pk_column"."attname" AS "pk-column-name" FROM "pg_constraint" AS "c" INNER JOIN "pg_class" AS "fk_table" ON "c"."conrelid" = "fk_table"."oid" INNER JOIN "pg_namespace" AS "fk_ns" ON "c"."connamespace" = "fk_ns"."oid" INNER JOIN "pg_attribute" AS "fk_column" ON "c"."conrelid" = "fk_column"."attrelid" INNER JOIN "pg_class" AS "pk_table" ON "c"."confrelid" = "pk_table"."oid" INNER JOIN "pg_namespace" AS "pk_ns" ON "pk_table"."relnamespace" = "pk_ns"."oid" INNER JOIN "pg_attribute" AS "pk_column" ON "c"."confrelid" = "pk_column"."attrelid" WHERE (fk_ns.nspname !~ \'^information_schema|catalog_history|pg_\') AND ("c"."contype" = \'f\'::char) AND ("fk_column"."attnum" = ANY(c.conkey)) AND ("pk_column"."attnum" = ANY(c.confkey)) AND ("fk_table"."relname" IN (\'nation\')) AND ("fk_ns"."nspname" IN (\'public\')) ORDER BY "fk-table-schema" ASC, "fk-table-name" ASC;',
  'SELECT "tmp"."table-schema", "tmp"."table-name", TRIM(BOTH \'"\' FROM PG_CATALOG.PG_GET_INDEXDEF("tmp"."ci_oid", "tmp"."pos", FALSE)) AS "field-name" FROM (SELECT "n"."nspname" AS "table-schema", "ct"."relname" AS "table-name", "ci"."oid" AS "ci_oid", (INFORMATION_SCHEMA._PG_EXPANDARRAY("i"."indkey"))."n" AS "pos" FROM "pg_catalog"."pg_class" AS "ct" INNER JOIN "pg_catalog"."pg_namespace" AS "n" ON "ct"."relnamespace" = "n"."oid" INNER JOIN "pg_catalog"."pg_index" AS "i" ON "ct"."oid" = "i"."indrelid" INNER JOIN "pg_catalog"."pg_class" AS "ci" ON "ci"."oid" = "i"."indexrelid" WHERE (PG_CATALOG.PG_GET_EXPR("i"."indpred", "i"."indrelid") IS NULL) AND n.nspname !~ \'^information_schema|catalog_history|pg_\' AND ("n"."nspname" IN (\'public\')) AND ("ct"."relname" IN (\'nation\'))) AS "tmp" WHERE "tmp"."pos" = 1;',
  'SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED;',
  'BEGIN READ ONLY;',
  "SET SESSION TIMEZONE TO 'UTC';",
  'SELECT TRUE AS "_" FROM "public"."nation" WHERE 1 <> 1 LIMIT 0;',
  'SELECT "public"."nation"."n_name" AS "n_name", "public"."nation"."n_gdp" AS "n_gdp", "public"."nation"."n_founded" AS "n_founded" FROM "public"."nation" LIMIT 10000;',
  '-- Metabase:: userID: 1 queryType: MBQL queryHash: 3a1f0c\nSELECT "public"."nation"."n_regionkey" AS "n_regionkey", COUNT(*) AS "count", SUM("public"."nation"."n_gdp") AS "sum", DATE_TRUNC(\'year\', CAST(MAX("public"."nation"."n_founded") AS timestamp)) AS "max_year" FROM "public"."nation" WHERE "public"."nation"."n_gdp" > \'100\' GROUP BY "public"."nation"."n_regionkey" ORDER BY "public"."nation"."n_regionkey" ASC LIMIT 1048575;',
  'COMMIT;',
  "SELECT p.oid,p.*,pg_catalog.pg_get_expr(p.proargdefaults, 0)as arg_defaults,d.description\nFROM pg_catalog.pg_proc p\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=p.oid\nWHERE p.pronamespace='2200'\nORDER BY p.proname;",
  "SELECT p.oid,p.*,pg_catalog.pg_get_expr(p.proargdefaults, 0)as arg_defaults,d.description\nFROM pg_catalog.pg_proc p\nLEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid=p.oid\nWHERE p.pronamespace='11'\nORDER BY p.proname;",
];

describe.skipIf(!existsSync(JDBC_JAR) || !existsSync('/usr/bin/java'))('JDBC driver', () => {
  it('metadata, server-prepared binary statements, fetch size, result metadata and tool statements', async () => {
    const url = `jdbc:postgresql://127.0.0.1:${fixture!.port}/default?sslmode=disable`;
    const { stdout } = await promisify(execFile)(
      '/usr/bin/java',
      ['-cp', JDBC_JAR, join(HERE, 'JdbcClient.java'), url, 'alice', ...REPLAY],
      { timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const lines = stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('error|'))).toEqual([]);
    expect(lines.filter((l) => !l.startsWith('replay|'))).toEqual([
      // Kindling tables have no keys or indexes.
      'pk|0',
      'typeinfo|_int4:2003,bool:-7,date:91,int4:4,int8:-5,numeric:2,time:92,timestamp:93,varchar:12',
      'index|0',
      'exported|0',
      'imported|0',
      // The owner (the connected user) holds every privilege.
      'privileges|nation:DELETE,nation:INSERT,nation:REFERENCES,nation:SELECT,nation:TRIGGER,nation:TRUNCATE,nation:UPDATE',
      // getFunctions reads pg_proc, which lists Kindling's own functions; the driver keeps plain
      // functions (prokind 'f'), so the aggregate sum is not among them, as on PostgreSQL.
      'functions|pg_catalog.abs,pg_catalog.upper',
      'procedures|0',
      // A view's columns are never NOT NULL (1 = columnNullable).
      'viewcol|n_name|varchar|1',
      'viewcol|n_gdp|numeric|1',
      ...Array.from({ length: 10 }, (_, k) => `prepared|${k}|ok`),
      ...Array.from({ length: 7 }, (_, k) => `time|${k}|ok`),
      // n_nationkey = ? (untyped) OR IN (?, ?) OR n_founded = ? (untyped date) … LIMIT ?
      'inferred|ARGENTINA,BRAZIL',
      'paramtypes|int4,varchar,int4,date,int4',
      'fetch|25000|312487500',
      // name | table | isNullable (0 = no, 1 = yes, 2 = unknown) | precision | scale | type
      'meta|n_nationkey|nation|0|10|0|int4',
      'meta|n_name|nation|1|25|0|varchar',
      'meta|n_gdp|nation|1|15|2|numeric',
      'meta|twice||2|17|2|numeric',
      'row|1|ARGENTINA|200.25|400.50',
    ]);
    const replayed = lines.filter((l) => l.startsWith('replay|'));
    expect(replayed).toHaveLength(REPLAY.length);
    // Row counts of a few: the databases; `SELECT * FROM public.nation LIMIT 200` and its count;
    // Metabase's tables (nation and big, with live rows), table privileges, columns of nation, and
    // its MBQL queries.
    for (const line of [
      'replay|4|rows 1',
      'replay|32|rows 4',
      'replay|33|rows 1',
      'replay|38|rows 2',
      'replay|39|rows 2',
      'replay|41|rows 5',
      'replay|48|rows 4',
      'replay|49|rows 2',
      'replay|51|rows 0',
    ])
      expect(replayed).toContain(line);
    // pg_catalog lists Kindling's functions.
    const catalogFunctions = /^replay\|52\|rows (\d+)$/.exec(
      replayed.find((l) => l.startsWith('replay|52|')) ?? '',
    );
    expect(Number(catalogFunctions?.[1])).toBeGreaterThan(300);
  });
});
