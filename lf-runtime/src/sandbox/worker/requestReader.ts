/**
 * What the worker's stdin carries: JSON request lines (wireProtocol.ts), each `load` followed by its binary
 * frame of rows (rowPayload.ts) of exactly `bytes` bytes. The parent is the only writer.
 */
import type { WorkerRequest } from '../wireProtocol.ts';

export interface LoadFrame {
  id: number;
  key: string;
  frame: Buffer;
}

export type Received = { req: WorkerRequest } | { load: LoadFrame };

/** Splits stdin chunks into requests and frames, in order, however the chunks fall. */
export class RequestReader {
  // Pieces of the line, or of the frame, being received; a frame can be tens of megabytes.
  private pieces: Buffer[] = [];
  private frame: { id: number; key: string; bytes: number; got: number } | null = null;

  constructor(private readonly receive: (item: Received) => void) {}

  /** Whether a line or a frame has been partly received. */
  get busy(): boolean {
    return this.pieces.length > 0 || this.frame !== null;
  }

  push(chunk: Buffer): void {
    let from = 0;
    while (from < chunk.length) {
      if (this.frame) {
        const frame = this.frame;
        const take = Math.min(frame.bytes - frame.got, chunk.length - from);
        this.pieces.push(chunk.subarray(from, from + take));
        frame.got += take;
        from += take;
        if (frame.got < frame.bytes) break;
        const bytes = Buffer.concat(this.pieces);
        this.pieces = [];
        this.frame = null;
        this.receive({ load: { id: frame.id, key: frame.key, frame: bytes } });
        continue;
      }
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) {
        this.pieces.push(chunk.subarray(from));
        break;
      }
      this.pieces.push(chunk.subarray(from, nl));
      const line = Buffer.concat(this.pieces).toString('utf8');
      this.pieces = [];
      from = nl + 1;
      if (!line) continue;
      const req = JSON.parse(line) as WorkerRequest;
      if (req.type === 'load') this.frame = { id: req.id, key: req.key, bytes: req.bytes, got: 0 };
      else this.receive({ req });
    }
  }
}
