-- bench/sql/redmine-load.sql - N issues (with due dates, assignees,
-- statuses, priorities and 3 journals each, Chinese subjects and
-- descriptions) straight into Redmine's SQLite database in one transaction:
-- the REST API would take hours at ~20 issues/s.  bench/redmine.sh replaces
-- :N, :PROJECT, :AUTHOR, :USER0 (the first of 20 assignees) before running.
-- Every issue is a root (root_id = id, lft 1, rgt 2), as Redmine writes them.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE w(k TEXT PRIMARY KEY, a TEXT);
INSERT INTO w VALUES
 ('unit', '["市交通运输局","市生态环境局","市应急管理局","市住房和城乡建设局","市教育局","市卫生健康委","市财政局","市发展改革委","市市场监管局","市农业农村局","市自然资源局","市人力资源社会保障局"]'),
 ('verb', '["牵头推进","加快落实","督促整改","统筹做好","组织开展","全面排查","持续深化","研究制定","抓紧完成","认真办理"]'),
 ('obj', '["安全生产专项整治","老旧小区改造","城区交通拥堵治理","重点项目建设","营商环境优化","农村人居环境整治","大气污染防治","校园安全隐患排查","就业创业扶持政策","防汛抗旱准备工作","政务服务事项办理","民生实事项目"]'),
 ('tail', '["工作","相关事项","督办件","任务","有关问题"]'),
 ('note', '["已召开专题会议研究部署，明确责任分工和时间节点。","正在按计划推进，完成进度约六成，下周报送最新情况。","存在资金缺口，已与财政部门对接，争取尽快解决。","已完成现场核查，发现问题均已建立台账，逐项销号。","请按期报送办理结果，确保件件有着落、事事有回音。"]');
CREATE TEMP TABLE seq AS
 WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :N)
 SELECT i FROM s;
CREATE TEMP TABLE pick AS
 SELECT i,
  json_extract((SELECT a FROM w WHERE k='unit'), '$[' || (abs(random()) % 12) || ']') AS unit,
  json_extract((SELECT a FROM w WHERE k='verb'), '$[' || (abs(random()) % 10) || ']') AS verb,
  json_extract((SELECT a FROM w WHERE k='obj'), '$[' || (abs(random()) % 12) || ']') AS obj,
  json_extract((SELECT a FROM w WHERE k='tail'), '$[' || (abs(random()) % 5) || ']') AS tail,
  abs(random()) % 365 AS age, abs(random()) % 120 - 60 AS due
 FROM seq;
INSERT INTO issues (id, tracker_id, project_id, subject, description, due_date,
  status_id, assigned_to_id, priority_id, author_id, lock_version, created_on,
  updated_on, start_date, done_ratio, root_id, lft, rgt, is_private, closed_on)
SELECT i, 1 + i % 3, :PROJECT, unit || verb || obj || tail,
  '根据市政府领导批示精神，请' || unit || verb || obj || tail || '。' ||
  '要求各责任单位高度重视，压实工作责任，细化工作措施，明确时间节点，' ||
  '加强督办检查，确保按期完成' || obj || '各项任务。办理过程中遇到的重大问题，' ||
  '请及时向市政府办公室报告。办理结果请于规定时限内书面报送市政府督查室。',
  date('now', due || ' days'), 1 + i % 6, :USER0 + i % 20, 1 + i % 5, :AUTHOR, 0,
  datetime('now', '-' || age || ' days'), datetime('now', '-' || (age / 2) || ' days'),
  date('now', '-' || age || ' days'), (i % 11) * 10, i, 1, 2, 0,
  CASE WHEN 1 + i % 6 IN (5, 6) THEN datetime('now', '-' || (age / 3) || ' days') END
FROM pick;
INSERT INTO journals (id, journalized_id, journalized_type, user_id, notes, created_on, private_notes)
SELECT (p.i - 1) * 3 + j.k, p.i, 'Issue', :USER0 + (p.i + j.k) % 20,
  json_extract((SELECT a FROM w WHERE k='note'), '$[' || ((p.i + j.k) % 5) || ']'),
  datetime('now', '-' || (p.age * (4 - j.k) / 4) || ' days'), 0
FROM pick p, (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) j;
INSERT INTO journal_details (id, journal_id, property, prop_key, old_value, value)
SELECT i, (i - 1) * 3 + 2, 'attr', 'status_id', '1', CAST(1 + i % 6 AS TEXT) FROM seq;
COMMIT;
ANALYZE;
