/** A progress display on stderr: a redrawn bar on a terminal, a line every 10% otherwise (logs, CI). */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream, startedAt: number, now: () => number = () => Date.now()): Progress {
  const tty = Boolean(stream.isTTY);
  let lastDrawn = -1;
  let lastStep = -1;
  const line = (done: number): string => {
    const share = total === 0 ? 1 : done / total;
    const width = 30;
    const filled = Math.round(share * width);
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(1).padStart(5)}% ${done}/${total} patients, ${rate}/s`;
  };
  return {
    update(done) {
      if (tty) {
        const t = now();
        if (t - lastDrawn < 100 && done < total) return;
        lastDrawn = t;
        stream.write(`\r${line(done)}`);
      } else {
        const step = total === 0 ? 10 : Math.floor((done / total) * 10);
        if (step === lastStep) return;
        lastStep = step;
        stream.write(`${line(done)}\n`);
      }
    },
    finish() {
      if (tty) stream.write(`\r${line(total)}\n`);
      else if (lastStep !== 10) stream.write(`${line(total)}\n`);
    },
  };
}
