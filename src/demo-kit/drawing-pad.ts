// A canvas to draw on with the mouse or a finger: white round strokes on black, as MNIST's digits. The
// pages decide what a stroke means (the MNIST page classifies while drawing, the detection page after).

export interface DrawingPadOptions {
  /** Stroke width in canvas pixels. */
  lineWidth: number;
  /** While a stroke goes on, after each segment. */
  onMove?: () => void;
  /** When a stroke ends (pointer up or out of the canvas). */
  onEnd: () => void;
  /** After the pad is cleared (by clear()). */
  onClear?: () => void;
}

/** Sets up drawing on `canvas`; returns clear(), which blackens it. */
export function drawingPad(canvas: HTMLCanvasElement, o: DrawingPadOptions): { clear(): void } {
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    o.onClear?.();
  };
  clear();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = o.lineWidth;
  ctx.strokeStyle = '#fff';
  let drawing = false;
  let last: [number, number] = [0, 0];
  const pos = (ev: PointerEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [((ev.clientX - r.left) * canvas.width) / r.width, ((ev.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener('pointerdown', (ev) => {
    drawing = true;
    canvas.setPointerCapture?.(ev.pointerId);
    last = pos(ev);
    ctx.beginPath();
    ctx.arc(last[0], last[1], o.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fillStyle = '#fff';
    ctx.fill();
  });
  canvas.addEventListener('pointermove', (ev) => {
    if (!drawing) return;
    const p = pos(ev);
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(...p);
    ctx.stroke();
    last = p;
    o.onMove?.();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    o.onEnd();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointerleave', end);
  return { clear };
}
