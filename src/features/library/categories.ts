/** Course categories in the order the Study tab shows them (ids as in content/ front matter). */
export const COURSE_CATEGORY_IDS = ['party-theory', 'org-life', 'rural-revitalisation', 'safety', 'law', 'skills'] as const
