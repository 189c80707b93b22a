import type { MessageBundle } from './types.js';

/**
 * Messages of the văn thư's working day (issue 14): placing and previewing stamps, the
 * number and date of an issued letter, honest job results, the Inbox viewer, Decree 30
 * metadata on sending, the first-run setup, the file picker of the browser host.
 */
export const office: MessageBundle = {
  vi: {
    'ui.preview.zoom': 'Thu phóng',
    'ui.preview.zoomFit': 'Vừa khung',
    'ui.placement.mode.auto': 'Tự động',
    'ui.placement.mode.anchor': 'Theo dòng chữ trên trang',
    'ui.placement.mode.drag': 'Kéo thả trên trang',
    'ui.placement.auto.issuing': 'Con dấu đặt đúng kích thước thật, trùm khoảng 1/3 chữ ký của người có thẩm quyền về bên trái; số và ngày được ghi vào chỗ trống “Số: …” và “ngày … tháng … năm …” của văn bản.',
    'ui.placement.auto.approval': 'Góc dưới bên phải của trang đầu. Nên chọn “Theo dòng chữ” với chức vụ người ký để chữ ký nằm giữa chức vụ và họ tên.',
    'ui.placement.auto.corner': 'Vị trí theo Nghị định 30: góc trên của trang đầu, không đè lên chữ của văn bản.',
    'ui.placement.anchorLabel': 'Dòng chữ (chức vụ người ký), chữ ký đặt giữa dòng này và họ tên',
    'ui.stamp.organizationFromCert': 'Theo chứng thư số',
    'ui.job.noneSigned': 'Không ký được tệp nào',
    'ui.job.partlySigned': 'Đã ký {signed}/{total} tệp, có tệp lỗi',
    'ui.batch.previewOf': 'Xem trước trên tệp đầu tiên: {file}',
    'error.exSendToSelf': 'Không gửi được văn bản cho chính cơ quan mình ({name}, mã {organId}): văn bản gửi đi không thể tự vào sổ văn bản đến của nơi gửi. Hãy bỏ chọn cơ quan này.',
    'error.exSecretNotSent': 'Văn bản mật không được gửi qua hệ thống trao đổi văn bản điện tử (Nghị định 30/2020/NĐ-CP, Luật Bảo vệ bí mật nhà nước): hãy gửi theo đường văn bản mật.',
  },
  en: {
    'ui.preview.zoom': 'Zoom',
    'ui.preview.zoomFit': 'Fit',
    'ui.placement.mode.auto': 'Automatic',
    'ui.placement.mode.anchor': 'Under a line of text on the page',
    'ui.placement.mode.drag': 'Drag on the page',
    'ui.placement.auto.issuing': 'The seal at its real size over about the left third of the competent person’s signature; the number and date go into the letter’s “Số: …” and “ngày … tháng … năm …” blanks.',
    'ui.placement.auto.approval': 'Bottom right of the first page. Choose “Under a line of text” with the signer’s title so the signature sits between the title and the name.',
    'ui.placement.auto.corner': 'Where Decree 30 puts it: top of the first page, off the letter’s text.',
    'ui.placement.anchorLabel': 'Line of text (the signer’s title); the signature goes between it and the name',
    'ui.stamp.organizationFromCert': 'From the certificate',
    'ui.job.noneSigned': 'No file was signed',
    'ui.job.partlySigned': 'Signed {signed}/{total} files; some failed',
    'ui.batch.previewOf': 'Preview on the first file: {file}',
    'error.exSendToSelf': 'A document cannot be sent to your own organization ({name}, code {organId}): it could never be registered as incoming there. Untick this organization.',
    'error.exSecretNotSent': 'Secret documents are not sent over the electronic exchange (Decree 30/2020/NĐ-CP, law on state secrets): send it through the secret document channel.',
  },
};
