/**
 * PostgreSQL's COPY options, shared by the parser (which reads them), the session and the wire
 * server (which writes the data in that format). Text format unless `format` says csv.
 */
export interface CopyOptions {
  readonly format: 'text' | 'csv';
  readonly header: boolean;
  /** One character: tab for text, `,` for csv by default. */
  readonly delimiter: string;
  /** How NULL is written: `\N` for text, empty for csv by default. */
  readonly null: string;
  readonly quote: string;
  readonly escape: string;
}
