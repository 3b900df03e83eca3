/** One section of the fair processing notice. */
export interface NoticeSection {
  id: string;
  title: string;
  paragraphs: string[];
  list?: string[] | undefined;
  table?: { caption: string; head: string[]; rows: string[][] } | undefined;
}

/**
 * The fair processing notice as data: what `GET /citizen/notice?format=json` returns and `<idcr-fair-processing-notice>`
 * renders. Generated from the sharing agreement by `noticeFromIsa`.
 */
export interface FairProcessingNotice {
  title: string;
  locality: string;
  agreement: { id: string; version: string };
  sections: NoticeSection[];
}
