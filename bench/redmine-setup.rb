# bench/redmine-setup.rb - run by bench/redmine.sh through `rails runner` once
# per cached base database: REST API on, sign-in required, Chinese, one
# project 督查督办 with 20 assignees (members with a givable role), and the
# admin's password and API key (printed as "KEY ...", "PROJECT ...").
Setting.rest_api_enabled = '1'
Setting.login_required = '1'
Setting.default_language = 'zh'
admin = User.find_by_login('admin')
admin.password = 'Shuniu@2026'
admin.password_confirmation = 'Shuniu@2026'
admin.must_change_passwd = false
admin.language = 'zh'
admin.save!
project = Project.find_by_identifier('duban') || Project.create!(
  name: '督查督办', identifier: 'duban', is_public: false,
  enabled_module_names: %w[issue_tracking], tracker_ids: Tracker.pluck(:id))
role = Role.givable.find_by(position: 2) || Role.givable.first
(1..20).each do |i|
  login = format('user%02d', i)
  u = User.find_by_login(login) || User.new(firstname: "承办人#{i}", lastname: '张',
      mail: "#{login}@example.org", language: 'zh').tap { |x| x.login = login }
  u.password = u.password_confirmation = 'Shuniu@2026'
  u.save!
  Member.create!(project: project, principal: u, role_ids: [role.id]) unless Member.where(project: project, user_id: u.id).exists?
end
Member.create!(project: project, principal: admin, role_ids: [Role.givable.first.id]) unless Member.where(project: project, user_id: admin.id).exists?
puts "KEY #{admin.api_key}"
puts "PROJECT #{project.id}"
