// hl7-standard 1.0.4 ships no types; this declares the small part the wrapper uses.
declare module 'hl7-standard' {
  interface Hl7StandardSegment {
    type: string;
    index: number;
    data: Record<string, unknown>;
  }
  class HL7 {
    constructor(data?: string, opts?: { subComponents?: string; repeatingFields?: string; lineEndings?: string });
    raw: string;
    transformed: Record<string, Hl7StandardSegment[]>;
    transform(cb?: (err: Error | null, data: unknown) => void, batch?: boolean): void;
    build(): string;
    get(field: string, index?: number, sectionIndex?: number, subIndex?: number): unknown;
    set(field: string, value: unknown, index?: number, sectionIndex?: number, subIndex?: number): unknown;
    getSegments(segment?: string): Hl7StandardSegment[];
    createSegment(segment: string): Hl7StandardSegment;
  }
  export = HL7;
}
