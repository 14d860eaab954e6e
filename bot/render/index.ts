import type { Report } from '../model/report';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderText, type TextOptions } from './text';

export const FORMATS = ['text', 'json', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export function render(report: Report, format: Format, options: TextOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report, options);
  }
}
