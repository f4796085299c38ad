/** The url_name of requests that matched no route, so 404 scans do not make one name per path. */
export const unmatchedUrlName = 'unmatched';
