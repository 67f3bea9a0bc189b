// Faces and people, shared by the people, questions and photo views: face crops (authenticated, shown through
// object URLs like the photo thumbnails), a person's display name, and "N photos".

import { imageUrl } from './api.js';
import { h } from './dom.js';

export const faceThumbPath = (faceId) => `/api/faces/${encodeURIComponent(faceId)}/thumbnail`;

/** An <img> of a face crop: url is the API's thumbnail_url (or a face id's path). */
export function faceImg(url, alt, cls = 'face-thumb') {
  const img = h('img', { alt, class: cls, decoding: 'async' });
  if (url) {
    imageUrl(url).then((u) => { img.src = u; img.classList.add('loaded'); }, () => img.classList.add('no-thumb'));
  } else {
    img.classList.add('no-thumb');
  }
  return img;
}

/** A person's name as shown: the name, or "Unnamed". */
export const personName = (person) => (person && person.name) || 'Unnamed';

export const photoCount = (n) => `${n ?? 0} photo${n === 1 ? '' : 's'}`;

export const personHref = (id) => `#/person/${encodeURIComponent(id)}`;
