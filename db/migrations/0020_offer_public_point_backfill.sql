-- Custom migration: every existing offer gets its public point, the exact one moved by a
-- random offset kept from now on: 0.0013–0.0030° of latitude and 0.0018–0.0041° of
-- longitude, each way at random (about 200–460 m in metropolitan France). The exact point
-- stays in lat/lng for agents and server-side distances only.
UPDATE `offers` SET
  `public_lat` = `lat` + (CASE WHEN abs(random()) % 2 = 0 THEN 1 ELSE -1 END) * (0.0013 + (abs(random()) % 1701) / 1000000.0),
  `public_lng` = `lng` + (CASE WHEN abs(random()) % 2 = 0 THEN 1 ELSE -1 END) * (0.0018 + (abs(random()) % 2301) / 1000000.0)
WHERE `public_lat` IS NULL OR `public_lng` IS NULL;
