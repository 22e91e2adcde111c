// The fields of an offer's form, bound to its state: called in the page's frontmatter so
// that the error summary (rendered before the fields) knows every label.
import type { formFields } from '../ui/index.ts';
import { t, type Locale } from '../../i18n/index.ts';

export function offerFields(field: ReturnType<typeof formFields>['field'], locale: Locale) {
  const f = (name: string, key: Parameters<typeof t>[1]) => field(name, t(locale, key));
  return {
    title: f('title', 'manage.field.title'),
    titleEn: f('titleEn', 'manage.field.titleEn'),
    description: f('description', 'manage.field.description'),
    price: f('price', 'manage.field.price'),
    transaction: f('transaction', 'search.transaction'),
    homeType: f('homeType', 'manage.field.homeType'),
    surface: f('surface', 'offer.detail.surface'),
    landArea: f('landArea', 'offer.detail.landArea'),
    rooms: f('rooms', 'offer.detail.rooms'),
    bedrooms: f('bedrooms', 'offer.detail.bedrooms'),
    energyClass: f('energyClass', 'manage.field.energy'),
    availableFrom: f('availableFrom', 'offer.detail.available'),
    typology: f('typology', 'manage.field.typology'),
    desks: f('desks', 'offer.detail.desks'),
    meetingRooms: f('meetingRooms', 'offer.detail.meetingRooms'),
    priceDay: f('priceDay', 'offer.detail.priceDay'),
    openingHours: f('openingHours', 'manage.field.openingHours'),
    website: f('website', 'manage.field.website'),
    wheelchairAccessible: f('wheelchairAccessible', 'manage.field.accessible'),
    commune: f('commune', 'manage.field.commune'),
    address: f('address', 'manage.field.address'),
    lat: f('lat', 'manage.field.lat'),
    lng: f('lng', 'manage.field.lng'),
    locationPrecision: f('locationPrecision', 'manage.field.precision'),
    bestTechnology: f('bestTechnology', 'offer.detail.technology'),
    downloadMbps: f('downloadMbps', 'offer.detail.download'),
    uploadMbps: f('uploadMbps', 'offer.detail.upload'),
    fibreStatus: f('fibreStatus', 'offer.detail.fibre'),
    fibrePlannedAt: f('fibrePlannedAt', 'manage.field.plannedAt'),
    mobileCoverage: f('mobileCoverage', 'offer.detail.mobile'),
    connectivitySource: f('connectivitySource', 'manage.field.source'),
    connectivityCheckedAt: f('connectivityCheckedAt', 'manage.field.checkedAt'),
  };
}
