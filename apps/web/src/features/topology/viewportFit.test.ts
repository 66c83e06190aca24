import { describe, expect, it } from 'vitest';
import { fitViewport } from './viewportFit';

const opts = { padding: 30, margin: 20, minZoom: 0.05, maxZoom: 1.25 };

describe('fitViewport', () => {
  it('centres the positions and scales the wider side to the view', () => {
    const v = fitViewport(
      [
        { x: 0, y: 0 },
        { x: 1960, y: 500 },
      ],
      1060,
      700,
      opts,
    );
    // 2000 graph units wide (20 margin each side) into 1000 px: zoom 0.5, centre (980, 250)
    expect(v).toEqual({ zoom: 0.5, pan: { x: 530 - 490, y: 350 - 125 } });
  });

  it('never zooms a small graph beyond maxZoom nor a huge one below minZoom', () => {
    expect(fitViewport([{ x: 10, y: 10 }], 800, 600, opts)?.zoom).toBe(1.25);
    expect(
      fitViewport(
        [
          { x: 0, y: 0 },
          { x: 1e6, y: 0 },
        ],
        800,
        600,
        opts,
      )?.zoom,
    ).toBe(0.05);
  });

  it('has nothing to fit without positions or without a view', () => {
    expect(fitViewport([], 800, 600, opts)).toBeUndefined();
    expect(fitViewport([{ x: 0, y: 0 }], 0, 600, opts)).toBeUndefined();
  });
});
