# A small application on ActiveRecord (Debian's ruby-activerecord and ruby-mysql2), run with the
# database.yml dbcache generated and with Rails' defaults (the control), all at once in threads,
# in two patterns: per request (each unit of work checks a connection out of the pool and returns
# it, as a Rails request does) and held (a job that keeps ActiveRecord's connection for its whole
# run). Each queries, idles past the server's wait_timeout, and queries again, several times.
# Prints one JSON line: the errors each saw and the session wait_timeout Rails set.
#
# ruby rails_app.rb '{"yaml": "/tmp/database.yml", "users": {...}, "gaps": 3, "gapSeconds": 11, "concurrency": 3}'
require 'erb'
require 'json'
require 'yaml'
require 'active_record'

config = JSON.parse(ARGV[0])
users = config['users']
# What Rails does with config/database.yml: ERB first, then YAML.
load = ->(path) { YAML.safe_load(ERB.new(File.read(path)).result, aliases: true)['production'] }
generated = load.call(config['yaml'])
# The output for the current Rails, run on this (older) one: what a user gets who does not say.
current = load.call(config['yamlCurrent'])
defaults = generated.slice('adapter', 'host', 'port', 'database', 'password', 'encoding')

results = {}
lock = Mutex.new
sides = {
  'rails_gen' => [generated, :per_request],
  'rails_ctl' => [defaults, :per_request],
  'rails_held_gen' => [generated, :held],
  'rails_held_ctl' => [defaults, :held],
  'rails_held_cur' => [current, :held],
}
threads = sides.map do |name, (settings, pattern)|
  model = Class.new(ActiveRecord::Base) { self.abstract_class = true }
  Object.const_set(name.split('_').map(&:capitalize).join, model)
  model.establish_connection(settings.merge('username' => users[name]))
  Thread.new do
    errors = []
    session_timeout = nil
    run = lambda do |connection|
      session_timeout ||= connection.select_value('SELECT @@SESSION.wait_timeout')
      connection.select_value('SELECT SLEEP(0.3)')
    end
    unit =
      if pattern == :held
        held = model.connection
        -> { run.call(held) }
      else
        lambda do
          workers = (1..config['concurrency']).map do
            Thread.new do
              model.connection_pool.with_connection { |connection| run.call(connection) }
            rescue StandardError => e
              lock.synchronize { errors << "#{e.class}: #{e.message.lines.first&.strip}" }
            end
          end
          workers.each(&:join)
        end
      end
    (config['gaps'] + 1).times do |round|
      sleep config['gapSeconds'] if round.positive?
      begin
        unit.call
      rescue StandardError => e
        errors << "#{e.class}: #{e.message.lines.first&.strip}"
      end
    end
    model.connection_pool.disconnect!
    lock.synchronize do
      results[name] = { 'errors' => errors, 'session_wait_timeout' => session_timeout&.to_i }
    end
  end
end
threads.each(&:join)
results['versions'] = { 'activerecord' => ActiveRecord.version.to_s, 'mysql2' => Mysql2::VERSION }
puts JSON.generate(results)
